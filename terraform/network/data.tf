data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# Zones that need no opt-in (Local Zones and Wavelength Zones do). The subnets take the first
# availability_zone_count names in order.
data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394:Subnets use the first availability_zone_count zones by name; AWS names a new zone with the next letter, so an added zone sorts last and never displaces a zone in use.
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}
