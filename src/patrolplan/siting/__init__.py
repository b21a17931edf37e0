"""Coverage siting of joint checkpoints (联合查缉) on border roads."""
