// Placeholder so the target has a source file; real tests arrive with their issue.
