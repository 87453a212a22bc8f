"""SLA engine: business calendar, the clock as a pure function, and its application
to tickets. `calendar` and `clock` know nothing of the database; `engine` reads and writes tickets;
`notices` warns people at 80 % and at breach."""
