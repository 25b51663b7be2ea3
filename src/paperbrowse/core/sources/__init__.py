"""Where papers come from: arXiv ids, the arXiv API and its feed, BibTeX files, and adding them to the user's papers folder."""
