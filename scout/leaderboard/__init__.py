"""Leaderboards (`scout sota`): for a task and a dataset, the best methods, their numbers, their
papers and their code: the number to beat.

rows (pure parsing and ordering) | online (paperswithcode.co) | offline (the imported archive) |
resolve (free text -> task or dataset) | board (the whole request, with the fallback) | render."""
