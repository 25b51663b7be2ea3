"""The search: the query language, the engine and its fast paths (word indexes, paper sets as big integers, subsequence planes), highlighting and related papers."""
