variable "topology" {
  description = "The decoded topology (kemu.yaml schema v1, normalised by kemu: every key explicit)."
  type        = any
}
