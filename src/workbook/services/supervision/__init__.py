"""Monthly group supervision: the board, the meetings and their reviews."""
