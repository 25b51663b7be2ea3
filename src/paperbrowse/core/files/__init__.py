"""Files on disk: durable atomic writes and the lock (atomic), and where paperbrowse finds and keeps them (paths)."""
