package dev.tessera.engine.state;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map over a shared, sorted name array and a value array: one small allocation per
 * vector read. Consumers that copy vectors (the online store) can read it by position: {@link
 * #nameList} is the same instance for every vector of a group's plan, so a consumer can key its
 * own per-group structures by it, and {@link #valueAt} reads without an entry per feature.
 */
public final class FeatureValues extends AbstractMap<String, Object> {
  private final String[] names;
  private final List<String> nameList;
  private final Object[] values;

  FeatureValues(String[] names, List<String> nameList, Object[] values) {
    this.names = names;
    this.nameList = nameList;
    this.values = values;
  }

  /** The feature names in position order, sorted; one shared immutable instance per plan. */
  public List<String> nameList() {
    return nameList;
  }

  /** The value at {@code position} of {@link #nameList}. */
  public Object valueAt(int position) {
    return values[position];
  }

  @Override
  public int size() {
    return names.length;
  }

  @Override
  public Object get(Object key) {
    int i = java.util.Arrays.binarySearch(names, key);
    return i >= 0 ? values[i] : null;
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String && java.util.Arrays.binarySearch(names, key) >= 0;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return names.length;
      }

      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          int i;

          @Override
          public boolean hasNext() {
            return i < names.length;
          }

          @Override
          public Entry<String, Object> next() {
            if (i >= names.length) {
              throw new NoSuchElementException();
            }
            Entry<String, Object> e = new SimpleImmutableEntry<>(names[i], values[i]);
            i++;
            return e;
          }
        };
      }
    };
  }
}
