"""CareRelay's clinical rules as pure functions, the most tested code in the house: NEWS2 and the
NHS number. No I/O and nothing of CareRelay's imported. See libs/clinical/README.md."""
