"""Answers from retrieved passages: extraction, abstention, generation, timelines and recommendations."""
