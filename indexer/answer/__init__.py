"""Answers from retrieved passages (stage: answer).

Inputs: an open ``Index`` and a question (with filters and settings). Outputs: the answer dict
(``ask``: answer, citations, timeline), timelines of follow-up questions (``timeline``), and the
recommendation / cross-reference dicts of the tracker (``recommendations``). ``extract`` picks the
answer sentences, ``abstain`` decides when the papers do not answer, ``generate`` is the optional
checked generative answer.
"""
