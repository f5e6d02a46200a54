package dev.usher.testing;

/**
 * The two API accounts of ScaleEngine's published examples, which every module's tests use: the
 * same numbers, keys and secrets the documents' example requests were signed with, so a test can
 * replay an example byte for byte. Plain values (no Usher type): core's tests build their
 * {@code Account} from them ({@code dev.usher.core.testing.Fixture}).
 *
 * <p>The secrets are published, so Usher refuses them at start-up; a test that starts a real
 * deployment gives the account a random secret of its own and keeps only {@link #apiKey()}.
 */
public record DemoAccount(int cdnId, String apiKey, String secret, String username) {

    /** The account of the PHP example on the {@code sevu.request} page (docs/PROTOCOL.md#request). */
    public static final DemoAccount STEF = new DemoAccount(28, "ZGQWNWVKOGQZYJAXNTIYMTCXOTAWMWVK",
            "479e4b01ebfb61bc015cf4b3145f139d97cf43c7340965feb24082da45dd60f3", "stef");

    /** The account of the {@code sevu.errorlog} and {@code sevu.addstreamuser} examples (docs/PROTOCOL.md#errorlog). */
    public static final DemoAccount DEMO = new DemoAccount(158, "APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE",
            "8fc8c48da81e6a2a06a9556379bf798af508dc0792497c678b4c3532ba8b637f", "demo");
}
