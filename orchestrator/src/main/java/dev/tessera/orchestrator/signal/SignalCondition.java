package dev.tessera.orchestrator.signal;

import dev.tessera.sharding.CborSerializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a waiting workflow accepts: a signal name and predicates on payload fields, all of which
 * must hold.
 *
 * <p>Syntax ({@link #parse}): {@code <name> [where <field> <op> <value> (and <field> <op>
 * <value>)*]}, for example {@code features_ready where group == member_engagement and rows > 1000}.
 *
 * <ul>
 *   <li>{@code name}: {@code [a-z][a-z0-9_]*}; {@code where} and {@code and} are keywords (any
 *       case).
 *   <li>{@code field}: a payload field, dotted for nested maps ({@code metrics.auc}).
 *   <li>{@code op}: {@code == != > >= < <=}.
 *   <li>{@code value}: a number ({@code 1000}, {@code -0.5}, {@code 1e3}) compares numerically; a
 *       quoted string ({@code 'a b'} or {@code "a b"}, backslash escapes the quote) or a bare word
 *       ({@code member_engagement}, {@code s3://x/y}) compares as text (ordering operators compare
 *       lexicographically).
 * </ul>
 *
 * <p>A predicate on a field the payload lacks is false, whatever the operator (also {@code !=}):
 * a condition never holds by absence. A numeric value against a payload text that is not a
 * number is false; a text value against a payload number compares the number's plain text.
 */
public record SignalCondition(String name, List<Predicate> predicates) implements CborSerializable {

  public enum Op {
    EQ("=="), NE("!="), GT(">"), GE(">="), LT("<"), LE("<=");

    private final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }

    static Op of(String symbol) {
      for (Op op : values()) {
        if (op.symbol.equals(symbol)) {
          return op;
        }
      }
      throw new IllegalArgumentException("unknown operator " + symbol);
    }

    boolean holds(int comparison) {
      return switch (this) {
        case EQ -> comparison == 0;
        case NE -> comparison != 0;
        case GT -> comparison > 0;
        case GE -> comparison >= 0;
        case LT -> comparison < 0;
        case LE -> comparison <= 0;
      };
    }
  }

  /**
   * One comparison. {@code value} is kept as text; {@code numeric} says whether it compares as a
   * number.
   */
  public record Predicate(String field, Op op, String value, boolean numeric)
      implements CborSerializable {
    public Predicate {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(value, "value");
      if (numeric) {
        new BigDecimal(value);
      }
    }

    /** Whether the signal's payload satisfies this predicate. */
    public boolean test(Signal signal) {
      Optional<Object> actual = signal.field(field);
      if (actual.isEmpty()) {
        return false;
      }
      Object found = actual.get();
      if (numeric) {
        BigDecimal number = asNumber(found);
        return number != null && op.holds(number.compareTo(new BigDecimal(value)));
      }
      return op.holds(asText(found).compareTo(value));
    }

    String render() {
      String shown = numeric || value.matches(BARE_WORD) ? value
          : "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
      return field + " " + op.symbol() + " " + shown;
    }
  }

  private static final String NAME = "[a-z][a-z0-9_]*";
  private static final String BARE_WORD = "[A-Za-z_][A-Za-z0-9_.:/\\-]*";
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
  private static final Pattern TOKEN = Pattern.compile(
      "\\s*(?:(==|!=|>=|<=|>|<)|'((?:[^'\\\\]|\\\\.)*)'|\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s=!<>'\"]+))");

  public SignalCondition {
    Objects.requireNonNull(name, "name");
    if (!isName(name)) {
      throw new IllegalArgumentException("signal name '" + name + "' must match " + NAME);
    }
    predicates = List.copyOf(predicates);
  }

  static boolean isName(String name) {
    return name.matches(NAME);
  }

  /** Whether the signal has this name and satisfies every predicate. */
  public boolean matches(Signal signal) {
    return signal.name().equals(name) && predicates.stream().allMatch(p -> p.test(signal));
  }

  /** The condition in the syntax {@link #parse} reads (parse(render()) equals this). */
  public String render() {
    if (predicates.isEmpty()) {
      return name;
    }
    List<String> parts = predicates.stream().map(Predicate::render).toList();
    return name + " where " + String.join(" and ", parts);
  }

  @Override
  public String toString() {
    return render();
  }

  /** A builder: {@code SignalCondition.on("features_ready").where("rows", Op.GT, 1000).build()}. */
  public static Builder on(String name) {
    return new Builder(name);
  }

  /** Parses the syntax of the class comment. */
  public static SignalCondition parse(String text) {
    Objects.requireNonNull(text, "text");
    List<String[]> tokens = tokenize(text);
    if (tokens.isEmpty() || !tokens.get(0)[0].equals("word")) {
      throw syntax(text, "expected a signal name");
    }
    Builder builder;
    try {
      builder = on(tokens.get(0)[1]);
    } catch (IllegalArgumentException e) {
      throw syntax(text, e.getMessage());
    }
    if (tokens.size() == 1) {
      return builder.build();
    }
    if (!isKeyword(tokens.get(1), "where")) {
      throw syntax(text, "expected 'where' after the name");
    }
    int i = 2;
    while (true) {
      if (i + 3 > tokens.size()) {
        throw syntax(text, "expected <field> <op> <value> after '" + tokens.get(i - 1)[1] + "'");
      }
      String[] field = tokens.get(i);
      String[] op = tokens.get(i + 1);
      String[] value = tokens.get(i + 2);
      if (!field[0].equals("word") || field[1].matches(".*[^A-Za-z0-9_.\\-].*")) {
        throw syntax(text, "expected a field name, found '" + field[1] + "'");
      }
      if (!op[0].equals("op")) {
        throw syntax(text, "expected one of == != > >= < <= after '" + field[1] + "'");
      }
      if (value[0].equals("op")) {
        throw syntax(text, "expected a value after '" + op[1] + "'");
      }
      boolean numeric = value[0].equals("word") && NUMBER.matcher(value[1]).matches();
      builder.predicates.add(new Predicate(field[1], Op.of(op[1]), value[1], numeric));
      i += 3;
      if (i == tokens.size()) {
        return builder.build();
      }
      if (!isKeyword(tokens.get(i), "and")) {
        throw syntax(text, "expected 'and' or the end, found '" + tokens.get(i)[1] + "'");
      }
      i++;
    }
  }

  private static boolean isKeyword(String[] token, String keyword) {
    return token[0].equals("word") && token[1].equalsIgnoreCase(keyword);
  }

  private static List<String[]> tokenize(String text) {
    List<String[]> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (text.substring(at).isBlank()) {
        break;
      }
      if (!m.find(at) || m.start() != at) {
        throw syntax(text, "unexpected character at position " + at);
      }
      if (m.group(1) != null) {
        tokens.add(new String[] {"op", m.group(1)});
      } else if (m.group(2) != null) {
        tokens.add(new String[] {"text", unescape(m.group(2))});
      } else if (m.group(3) != null) {
        tokens.add(new String[] {"text", unescape(m.group(3))});
      } else {
        tokens.add(new String[] {"word", m.group(4)});
      }
      at = m.end();
    }
    return tokens;
  }

  private static String unescape(String quoted) {
    return quoted.replaceAll("\\\\(.)", "$1");
  }

  private static IllegalArgumentException syntax(String text, String problem) {
    return new IllegalArgumentException(
        "invalid signal condition '" + text + "': " + problem
            + " (syntax: <name> [where <field> <op> <value> (and ...)*])");
  }

  static BigDecimal asNumber(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return null;
    }
    if (value instanceof Float f && (f.isNaN() || f.isInfinite())) {
      return null;
    }
    if (value instanceof Number n) {
      return new BigDecimal(n.toString());
    }
    if (value instanceof String s && NUMBER.matcher(s.trim()).matches()) {
      return new BigDecimal(s.trim());
    }
    return null;
  }

  static String asText(Object value) {
    if (value instanceof Number) {
      BigDecimal number = asNumber(value);
      return number == null ? value.toString() : number.stripTrailingZeros().toPlainString();
    }
    return String.valueOf(value);
  }

  /** Builds a condition from code. */
  public static final class Builder {
    private final String name;
    private final List<Predicate> predicates = new ArrayList<>();

    private Builder(String name) {
      if (!isName(Objects.requireNonNull(name, "name"))) {
        throw new IllegalArgumentException("signal name '" + name + "' must match " + NAME);
      }
      this.name = name;
    }

    /** Compares numerically when {@code value} is a Number, as text otherwise. */
    public Builder where(String field, Op op, Object value) {
      Objects.requireNonNull(value, "value");
      if (value instanceof Number) {
        BigDecimal number = asNumber(value);
        if (number == null) {
          throw new IllegalArgumentException("value of " + field + " is not a finite number");
        }
        predicates.add(new Predicate(field, op, number.toPlainString(), true));
      } else {
        predicates.add(new Predicate(field, op, value.toString(), false));
      }
      return this;
    }

    public SignalCondition build() {
      return new SignalCondition(name, predicates);
    }
  }

  /** Resolves {@code ${var}} placeholders of a condition template from variables, then parses. */
  public static SignalCondition resolve(String template, Map<String, Object> vars) {
    Matcher m = Pattern.compile("\\$\\{([A-Za-z0-9_.\\-]+)}").matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String var = m.group(1);
      if (!vars.containsKey(var) || vars.get(var) == null) {
        throw new IllegalArgumentException(
            "condition '" + template + "' needs the variable '" + var + "', which is not set");
      }
      Object value = vars.get(var);
      String text = value instanceof Number ? asText(value)
          : "'" + value.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
      m.appendReplacement(out, Matcher.quoteReplacement(text));
    }
    m.appendTail(out);
    return parse(out.toString());
  }
}
