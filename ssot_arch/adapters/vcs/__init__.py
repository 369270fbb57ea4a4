"""git: changed files, ignored paths, a commit's tree, and the folder a commit is written into."""
