"""The codemod: rewriting a module's restricted imports, the import sort, the
replacement's API, and the user's verify command."""
