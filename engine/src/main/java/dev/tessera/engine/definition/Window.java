package dev.tessera.engine.definition;

import dev.tessera.engine.window.WindowContract;
import java.io.Serializable;
import java.time.Duration;

/** The event-time window of a feature; see the window contract in {@code engine/README.md}. */
public sealed interface Window extends Serializable {

  /** Window length in milliseconds. */
  long lengthMs();

  /** Tile size in milliseconds: the hop of a sliding window, the length of a tumbling one. */
  long tileMs();

  /** Sliding window of {@code length} with the contract's default hop. */
  static Window sliding(Duration length) {
    return new Sliding(length.toMillis(), WindowContract.defaultHopMs(length.toMillis()));
  }

  static Window tumbling(Duration length) {
    return new Tumbling(length.toMillis());
  }

  /** As of t: {@code align(t, hopMs) - lengthMs <= eventTime <= t}. */
  record Sliding(long lengthMs, long hopMs) implements Window {
    public Sliding {
      if (hopMs < 1_000 || hopMs % 1_000 != 0) {
        throw new IllegalArgumentException("hop must be a positive whole number of seconds");
      }
      if (lengthMs <= 0 || lengthMs % hopMs != 0) {
        throw new IllegalArgumentException(
            "window length must be a positive multiple of its hop " + hopMs + " ms");
      }
    }

    @Override
    public long tileMs() {
      return hopMs;
    }
  }

  /** As of t: {@code align(t, lengthMs) - lengthMs <= eventTime < align(t, lengthMs)}. */
  record Tumbling(long lengthMs) implements Window {
    public Tumbling {
      if (lengthMs < 1_000 || lengthMs % 1_000 != 0) {
        throw new IllegalArgumentException(
            "tumbling window length must be a positive whole number of seconds");
      }
    }

    @Override
    public long tileMs() {
      return lengthMs;
    }
  }
}
