package dev.usher.core.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

final class Fixtures {

    static final ChildQuery UC = new ChildQuery("uc", "AQJrMQAAAABlU_EA.Zm9vYmFy-_");
    static final URI MASTER = URI.create("https://media.example.com/live/mystream/master.m3u8?key=K&pass=P");

    private Fixtures() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }
}
