-- 012: how many headlines each marking has, kept by triggers, so that the Headlines pane shows the
-- whole list's length at every reload without counting a million rows each time (~160 ms).
-- Derived from headlines alone (rebuilt from it here), so not journaled.

CREATE TABLE headline_counts (
    releasability TEXT PRIMARY KEY,
    n INTEGER NOT NULL
);

INSERT INTO headline_counts (releasability, n)
    SELECT releasability, count(*) FROM headlines GROUP BY releasability;

CREATE TRIGGER headline_counts_insert AFTER INSERT ON headlines BEGIN
    INSERT INTO headline_counts (releasability, n) VALUES (NEW.releasability, 1)
        ON CONFLICT (releasability) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER headline_counts_delete AFTER DELETE ON headlines BEGIN
    UPDATE headline_counts SET n = n - 1 WHERE releasability = OLD.releasability;
END;

CREATE TRIGGER headline_counts_remark AFTER UPDATE OF releasability ON headlines BEGIN
    UPDATE headline_counts SET n = n - 1 WHERE releasability = OLD.releasability;
    INSERT INTO headline_counts (releasability, n) VALUES (NEW.releasability, 1)
        ON CONFLICT (releasability) DO UPDATE SET n = n + 1;
END;
