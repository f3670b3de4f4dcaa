# Makes this directory a configuration of its own, to init, validate or apply as it is; the
# registry documentation shows only the example beside it.
terraform {
  required_providers {
    imops = {
      source = "imops/imops"
    }
  }
}
