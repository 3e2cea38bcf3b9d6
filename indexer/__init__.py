"""Council papers search: the pipeline from papers to cited answers, one package per stage
(see docs/architecture.md)."""
