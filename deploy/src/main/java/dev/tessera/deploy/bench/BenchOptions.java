package dev.tessera.deploy.bench;

import dev.tessera.deploy.UserError;

/** Option values of the {@code tessera bench} commands: a bad one is a one-line usage error. */
final class BenchOptions {
  private BenchOptions() {}

  /** {@code value} as a whole number within [min, max], else exit 2 naming {@code command} and flag. */
  static int wholeNumber(String command, String flag, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UserError(command + ": " + flag + " must be a whole number from " + min + " to "
        + max + ", not '" + value + "'", 2);
  }
}
