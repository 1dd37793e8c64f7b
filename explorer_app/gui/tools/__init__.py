"""One module per exploration tool: its panel and what it draws on the canvas; their base, host and gallery."""
