"""The stabilization-force contributors: status, pledged numbers, role, open questions, caveats."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from console.model.isf import Contributor, IsfStatus, question_marks
from widgets.cells import cell
from widgets.record_table import RecordTable

STATUS_STYLE = {
    IsfStatus.UNDER_DISCUSSION: "",
    IsfStatus.PLEDGED: "bold",
    IsfStatus.ACCEPTED: "green",
    IsfStatus.VETOED: "bold red",
    IsfStatus.DECLINED: "dim",
    IsfStatus.WITHDRAWN: "dim",
}
SHORT_ROLES = {"troops": "troops", "police_training": "police trg", "logistics": "logistics", "funding": "funding"}
#: Status order for sorting: the most committed first.
STATUS_ORDER = {s: i for i, s in enumerate([IsfStatus.ACCEPTED, IsfStatus.PLEDGED, IsfStatus.UNDER_DISCUSSION,
                                            IsfStatus.WITHDRAWN, IsfStatus.DECLINED, IsfStatus.VETOED])}


class ContributorTable(RecordTable):
    COLUMNS = (
        ("nation", "Nation", 6),
        ("status", "Status", 18),
        ("troops", "Troops", 6),
        ("police", "Police", 6),
        ("role", "Offers", 10),
        ("questions", "Open Qs", 7),
        ("caveats", "Caveats", None),
    )
    DEFAULT_SORT = "status"

    def cells(self, contributor: Contributor) -> Sequence[Text]:
        status = contributor.status
        marks = question_marks(contributor.open_questions)
        return (
            cell(contributor.nation),
            cell(f"{status.mark} {status.label}", STATUS_STYLE[status],
                 sort_key=(STATUS_ORDER[status], -(contributor.troops + contributor.police))),
            cell(f"{contributor.troops:>6,}", sort_key=contributor.troops),
            cell(f"{contributor.police:>6,}", sort_key=contributor.police),
            cell(SHORT_ROLES.get(contributor.role_offered.replace(" ", "_"), contributor.role_offered),
                 sort_key=contributor.role_offered),
            cell(marks, "bold" if any(m != "·" for m in marks) else "dim",
                 sort_key=-sum(m != "·" for m in marks)),
            cell(contributor.caveats),
        )
