"""The rule engine: select rules, evaluate their checks, apply waivers, score, decide the verdict."""
