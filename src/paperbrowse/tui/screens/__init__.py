"""The screens: the main one, and the dialogs it opens."""
