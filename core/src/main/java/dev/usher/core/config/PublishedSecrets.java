package dev.usher.core.config;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * Secrets that anyone can read, and that configuration therefore refuses at start: every secret
 * value ever committed to Usher's repository (the sample's old demo credential secret and API
 * secret, the test accounts' secrets, the placeholder secret of ScaleEngine's API pages) and a few trivially guessable byte
 * patterns. A secret that signs credentials or API commands is worthless once published: whoever
 * read the repository could mint a credential for any app and play everything without a ticket.
 *
 * <p>Only SHA-256 digests are kept here, so this file adds no readable secret of its own. When a
 * secret value is committed anywhere in the repository (a test, a document), add its digest:
 * {@code printf %s 'value' | sha256sum}, or for an {@code usher.credential.secrets} entry the digest
 * of its decoded bytes, {@code printf %s 'base64' | base64 -d | sha256sum}.
 */
public final class PublishedSecrets {

    private static final Set<String> DIGESTS = Set.of(
            "135b89beadbdee3fcd818b101b13e66facca36b1da939ac9b934883cb033be3c", // the sample's old credential secret demo1 (decoded)
            "591997d31374ae9694d569e2211204afa9c92a1e248826c8e64fe604962a993d", // the sample's old credential secret demo1 (as text)
            "99563ac24462da2d1c106208b95cce931e5817635c7e42f58eedfdc1b7703c2b", // the sample's old API secret of account 158
            "b49b01aa5d8af95dbfc327189a5051863e6f513eb371bbaeb9eaea7b245dbd9e", // the test fixture's secret of cdn 158
            "c7c5bcb1453d13b74904734ea449b4bb830cef6dfc91c08567c1a6034a7217f2", // the test fixture's secret of cdn 28
            "a88d83a498151c37ad7fa5d2e74c834eeca0a12db66c7eb688cc9a616b84126b", // a runner test's old API secret
            "eaf8fdddcf278f3b40cddf1b5b5611481d629c7b9cc249a76cb0facf4133764d", // the placeholder secret of ScaleEngine's API pages
            "3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b5061b7f9", // a test credential secret (ASCII digits)
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925", // 32 zero bytes
            "02d449a31fbb267c8f352e9968a79e3e5fc95c1bbeaa502fd6454ebde5a4bedc", // 32 bytes 0x11 (tests)
            "9f72ea0cf49536e3c66c787f705186df9a4378083753ae9536d65b3ad7fcddc4", // 32 bytes 0x22 (tests)
            "deb0e38ced1e41de6f92e70e80c418d2d356afaaa99e26f5939dbc7d3ef4772a", // 32 bytes 0x33 (tests)
            "2f2e0c8b999c20a877ba78ae48ca9f8512692f5970859c19cb465531a62678f5"  // the sample's briefly shipped live password key (decoded)
    );

    private PublishedSecrets() {
    }

    /** @return true when {@code secret} (the bytes a signer keys its HMAC with) is a published value */
    public static boolean isPublished(byte[] secret) {
        try {
            return DIGESTS.contains(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
