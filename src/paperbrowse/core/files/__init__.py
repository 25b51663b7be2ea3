"""Files on disk: durable atomic writes and the lock (atomic), exports that never follow a link (exports), and where paperbrowse finds and keeps its files (paths)."""
