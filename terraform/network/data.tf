data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# Zones that need no opt-in (Local Zones and Wavelength Zones do).
data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}
