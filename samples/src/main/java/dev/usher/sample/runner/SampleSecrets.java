package dev.usher.sample.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The runner's own secrets: made from {@link SecureRandom} on first start and kept in the data
 * folder, readable by the owner alone, so playback credentials and the demo API account's secret
 * survive a restart. No secret is ever taken from a file in the repository: the bundled
 * {@code microprofile-config.properties} holds none.
 *
 * <p>The file ({@value #FILE}) holds {@code usher.credential.secrets} and
 * {@code usher.account.158.secret}. A value given by the operator (a {@code -D} system property or
 * the environment variable, e.g. {@code USHER_CREDENTIAL_SECRETS}) wins over the file's, and Usher's
 * start refuses one that has been published.
 */
final class SampleSecrets {

    static final String FILE = "secrets.properties";
    static final String CREDENTIAL_KEY = "usher.credential.secrets";
    /** The demo API account: its api key and username are not secret, its secret is this node's own. */
    static final String DEMO_CDN = "158";
    static final String ACCOUNT_SECRET_KEY = "usher.account." + DEMO_CDN + ".secret";
    /** The key of live stream passwords' hashes: stream users survive a restart only with the same key. */
    static final String LIVE_KEY = "usher.live.password-key";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private SampleSecrets() {
    }

    /**
     * Sets the demo account and the secrets as system properties (for MicroProfile Config), each
     * unless the operator gave it, reading or creating {@code dataDir/secrets.properties}.
     *
     * @return the secrets file when a secret was taken from it, else null
     * @throws IllegalArgumentException when the folder or file can't be made, or others may read the file
     */
    static Path install(Path dataDir) {
        defaultTo("usher.account." + DEMO_CDN + ".api-key", "demo-api-key-158");
        defaultTo("usher.account." + DEMO_CDN + ".username", "demo");
        defaultTo("usher.issue.account", DEMO_CDN);
        boolean credentialGiven = isSet(CREDENTIAL_KEY);
        boolean accountGiven = isSet(ACCOUNT_SECRET_KEY);
        boolean liveGiven = isSet(LIVE_KEY);
        if (credentialGiven && accountGiven && liveGiven) {
            return null;
        }
        Path file = dataDir.resolve(FILE).toAbsolutePath().normalize();
        Properties secrets = loadOrCreate(file);
        if (!credentialGiven) {
            System.setProperty(CREDENTIAL_KEY, secrets.getProperty(CREDENTIAL_KEY));
        }
        if (!accountGiven) {
            System.setProperty(ACCOUNT_SECRET_KEY, secrets.getProperty(ACCOUNT_SECRET_KEY));
        }
        if (!liveGiven) {
            System.setProperty(LIVE_KEY, secrets.getProperty(LIVE_KEY));
        }
        return file;
    }

    private static void defaultTo(String key, String value) {
        if (!isSet(key)) {
            System.setProperty(key, value);
        }
    }

    /** @return true when {@code key} is a system property or an environment variable (MicroProfile's name mapping) */
    static boolean isSet(String key) {
        if (System.getProperty(key) != null) {
            return true;
        }
        Map<String, String> env = System.getenv();
        String sanitized = key.replaceAll("[^A-Za-z0-9_]", "_");
        return env.containsKey(key) || env.containsKey(sanitized) || env.containsKey(sanitized.toUpperCase(Locale.ROOT));
    }

    private static Properties loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            checkOwnerOnly(file);
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            if (isBlank(p.getProperty(CREDENTIAL_KEY)) || isBlank(p.getProperty(ACCOUNT_SECRET_KEY))) {
                throw new IllegalArgumentException(file + " lacks " + CREDENTIAL_KEY + " or " + ACCOUNT_SECRET_KEY
                        + ": delete it to have new secrets made (issued credentials stop working)");
            }
            if (isBlank(p.getProperty(LIVE_KEY))) {
                // A file made before live streams: its other secrets stay, the live key joins them.
                String key = Base64.getEncoder().encodeToString(random(32));
                Files.writeString(file, LIVE_KEY + "=" + key + "\n", StandardCharsets.ISO_8859_1, java.nio.file.StandardOpenOption.APPEND);
                p.setProperty(LIVE_KEY, key);
            }
            return p;
        } catch (IOException e) {
            throw new IllegalArgumentException("can't keep the sample's secrets in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a temporary owner-only file and moves it in place, so a reader never sees half a file. */
    private static void create(Path file) throws IOException {
        Path dir = file.getParent();
        boolean posix = Files.getFileStore(existingAncestor(dir)).supportsFileAttributeView(PosixFileAttributeView.class);
        if (!Files.exists(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } else {
                Files.createDirectories(dir);
            }
        }
        Path temp = posix ? Files.createTempFile(dir, ".secrets", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
                : Files.createTempFile(dir, ".secrets", ".tmp");
        if (!posix) {
            temp.toFile().setReadable(false, false);
            temp.toFile().setReadable(true, true);
            temp.toFile().setWritable(false, false);
            temp.toFile().setWritable(true, true);
        }
        try {
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.ISO_8859_1)) {
                w.write("# Made by the Usher sample runner from SecureRandom on first start. Keep it to yourself:\n");
                w.write("# it signs playback credentials and the demo API account's commands. Delete it for new ones.\n");
                w.write(CREDENTIAL_KEY + "=s1:" + Base64.getEncoder().encodeToString(random(32)) + "\n");
                w.write(ACCOUNT_SECRET_KEY + "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(random(32)) + "\n");
                w.write(LIVE_KEY + "=" + Base64.getEncoder().encodeToString(random(32)) + "\n");
            }
            try {
                Files.move(temp, file); // never over an existing file
            } catch (FileAlreadyExistsException raced) {
                // Another runner on the same folder made it first: use theirs.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static Path existingAncestor(Path dir) {
        Path p = dir;
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? Path.of(".") : p;
    }

    private static void checkOwnerOnly(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.stream().anyMatch(p -> !p.name().startsWith("OWNER_"))) {
            throw new IllegalArgumentException(file + " may be read by other users (" + PosixFilePermissions.toString(perms)
                    + "): chmod 600 it, or delete it to have new secrets made");
        }
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
