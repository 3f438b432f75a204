"""Process supervision: the single-node stack (`bot.stack.single_node`), the scale-out cluster
(`bot.stack.cluster`) and backups of the data they keep (`bot.stack.backup`)."""
