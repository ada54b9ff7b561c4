package dev.tessera.serving.features;

/** The member id rule of the event schema: 1-64 characters of {@code [A-Za-z0-9_-]}. */
public final class MemberIds {
  public static final int MAX_LENGTH = 64;

  private MemberIds() {}

  public static boolean isValid(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
