package dev.usher.core.live;

/**
 * The names live publishing accepts for apps, streams, files and folders: simple names only
 * (letters, digits, {@code _}, {@code -}, {@code .}; not beginning with a dot; at most 64
 * characters), so that no name can climb out of, or hide inside, a stream's folder.
 */
public final class LiveNames {

    public static final int MAX = 64;

    private LiveNames() {
    }

    /** @return whether {@code name} is a simple name (app, stream, or a file the encoder sends) */
    public static boolean simple(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX || name.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code name} is made of letters, digits, dashes and underscores only (save_folder) */
    public static boolean folder(String name) {
        return simple(name) && name.indexOf('.') < 0;
    }
}
