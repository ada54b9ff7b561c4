package dev.tessera.sharding.store;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An immutable, insertion-ordered {@code String}-keyed map that allows null values and costs a
 * fraction of a {@code LinkedHashMap}: one value array per map, while the key names (and their
 * hash index) are shared by every map with the same keys in the same order, which is the norm here
 * (a group's feature names, the stream names, a member's genres).
 *
 * <p>Lookups neither allocate nor lock; iteration allocates one entry per step.
 */
final class CompactMap<V> extends AbstractMap<String, V> {

  /** Bound of the shared key-set cache; key sets beyond it get an array of their own. */
  static final int MAX_SHARED_KEY_SETS = 4096;

  private static final ConcurrentHashMap<List<String>, Keys> SHARED = new ConcurrentHashMap<>();

  private final Keys keys;
  private final Object[] values;

  private CompactMap(Keys keys, Object[] values) {
    this.keys = keys;
    this.values = values;
  }

  /** A copy of {@code source} with each value passed through {@code normalize}. */
  static <V> CompactMap<V> copyOf(
      Map<String, ?> source, Function<Map.Entry<String, ?>, ? extends V> normalize) {
    int n = source.size();
    String[] names = new String[n];
    Object[] values = new Object[n];
    int i = 0;
    for (Map.Entry<String, ?> e : source.entrySet()) {
      names[i] = Objects.requireNonNull(e.getKey(), "key");
      values[i] = normalize.apply(e);
      i++;
    }
    if (i != n) {
      throw new IllegalArgumentException("map changed while copied");
    }
    return new CompactMap<>(Keys.of(names), values);
  }

  /**
   * A map over key names looked up once in advance ({@link #keys}) holding {@code values} as they
   * are (the caller normalised them and hands the array over): no lookup of the names per map.
   */
  static <V> CompactMap<V> of(Keys keys, Object[] values) {
    if (values.length != keys.names.length) {
      throw new IllegalArgumentException(
          values.length + " values for " + keys.names.length + " keys");
    }
    return new CompactMap<>(keys, values);
  }

  /** The (shared) key set of these names in this order, for {@link #of}. */
  static Keys keys(String... names) {
    return Keys.of(names.clone());
  }

  /** Whether the key names are held by the shared cache rather than by this map alone. */
  boolean sharesKeys() {
    return keys.shared;
  }

  Object valueAt(int i) {
    return values[i];
  }

  @Override
  public int size() {
    return values.length;
  }

  @Override
  public boolean containsKey(Object key) {
    return keys.indexOf(key) >= 0;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    int i = keys.indexOf(key);
    return i >= 0 ? (V) values[i] : null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super String, ? super V> action) {
    for (int i = 0; i < values.length; i++) {
      action.accept(keys.names[i], (V) values[i]);
    }
  }

  @Override
  public Set<Entry<String, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return values.length;
      }

      @Override
      public Iterator<Entry<String, V>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < values.length;
          }

          @Override
          @SuppressWarnings("unchecked")
          public Entry<String, V> next() {
            if (next >= values.length) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(keys.names[i], (V) values[i]);
          }
        };
      }
    };
  }

  /** Key names in order plus an open-addressing index: name -> position. */
  static final class Keys {
    final String[] names;
    final int[] index; // position + 1, 0 = empty
    final boolean shared;

    private Keys(String[] names, boolean shared) {
      this.names = names;
      this.shared = shared;
      int capacity = Integer.highestOneBit(Math.max(2, names.length * 2 - 1)) << 1;
      this.index = new int[capacity];
      int mask = capacity - 1;
      for (int i = 0; i < names.length; i++) {
        int slot = names[i].hashCode() & mask;
        while (index[slot] != 0) {
          if (names[index[slot] - 1].equals(names[i])) {
            throw new IllegalArgumentException("duplicate key " + names[i]);
          }
          slot = (slot + 1) & mask;
        }
        index[slot] = i + 1;
      }
    }

    static Keys of(String[] names) {
      List<String> list = Arrays.asList(names);
      Keys keys = SHARED.get(list);
      if (keys != null) {
        return keys;
      }
      if (SHARED.size() >= MAX_SHARED_KEY_SETS) {
        return new Keys(names, false);
      }
      return SHARED.computeIfAbsent(list, l -> new Keys(names, true));
    }

    int indexOf(Object key) {
      if (!(key instanceof String)) {
        return -1;
      }
      int mask = index.length - 1;
      int slot = key.hashCode() & mask;
      int p;
      while ((p = index[slot]) != 0) {
        String name = names[p - 1];
        if (name == key || name.equals(key)) {
          return p - 1;
        }
        slot = (slot + 1) & mask;
      }
      return -1;
    }
  }
}
