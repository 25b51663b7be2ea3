"""The domain core: records, loading, search, the user's library and export. Never imports Textual."""
