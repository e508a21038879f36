"""The supervisor's board and the group supervision session (issue 4)."""
