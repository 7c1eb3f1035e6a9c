"""Compliance case review, by job: who may (`access`), the queue and a case's evidence
(`queue`), claims and decisions (`decisions`), the sender's answers (`information`) and exports
(`exports`). Every change writes an audit entry in the same transaction."""
