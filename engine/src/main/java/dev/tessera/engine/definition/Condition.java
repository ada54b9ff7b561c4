package dev.tessera.engine.definition;

import dev.tessera.engine.event.EnrichedEvent;
import java.io.Serializable;
import java.util.Objects;

/**
 * A predicate on one event field. Numeric fields compare with any operator against {@code number};
 * category fields support {@code =} (some value equals {@code text}) and {@code !=} (no value
 * equals it).
 */
public record Condition(EventField field, Op op, String text, double number)
    implements Serializable {

  /** Comparison operators, written in config as {@code = != < <= > >=}. */
  public enum Op {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    public static java.util.Optional<Op> fromSymbol(String s) {
      for (Op op : values()) {
        if (op.symbol.equals(s)) {
          return java.util.Optional.of(op);
        }
      }
      return java.util.Optional.empty();
    }
  }

  public Condition {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(op, "op");
    if (!field.isNumeric()) {
      Objects.requireNonNull(text, "text");
      if (op != Op.EQ && op != Op.NE) {
        throw new IllegalArgumentException(
            "category field " + field.configName() + " supports only = and !=");
      }
    }
  }

  public static Condition numeric(EventField field, Op op, double value) {
    return new Condition(field, op, null, value);
  }

  public static Condition text(EventField field, Op op, String value) {
    return new Condition(field, op, value, 0);
  }

  public boolean test(EnrichedEvent e) {
    if (field.isNumeric()) {
      double v = field.number(e);
      return switch (op) {
        case EQ -> v == number;
        case NE -> v != number;
        case LT -> v < number;
        case LE -> v <= number;
        case GT -> v > number;
        case GE -> v >= number;
      };
    }
    boolean any = field.categories(e).contains(text);
    return op == Op.EQ ? any : !any;
  }
}
