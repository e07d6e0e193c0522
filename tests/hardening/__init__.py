"""The hardening suite: hostile input, hostile documents, faults and kills, with nothing lost (issue 10)."""
