"""Reading files into text with page boundaries: plain text, markdown and PDF."""
