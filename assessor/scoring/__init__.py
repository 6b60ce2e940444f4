"""Pure scoring: text and a task description in, frozen dataclasses out.

No Flask, database or network code here beyond the LanguageTool client in ``grammar``;
importing this package loads nothing heavy.
"""
