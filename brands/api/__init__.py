"""The catalogue API (DESIGN.md, the API table): brands, their items, products, pictures, import and export."""
