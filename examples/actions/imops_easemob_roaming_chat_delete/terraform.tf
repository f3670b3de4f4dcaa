# Makes this directory a configuration of its own, to init, validate or apply as it is; the
# registry documentation shows only the example beside it. Actions need Terraform 1.14.
terraform {
  required_version = ">= 1.14"

  required_providers {
    imops = {
      source = "imops/imops"
    }
  }
}
