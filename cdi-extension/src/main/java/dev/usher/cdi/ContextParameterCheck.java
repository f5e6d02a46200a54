package dev.usher.cdi;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherConfigurationException;
import jakarta.servlet.ServletContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Refuses {@code usher.*} context parameters (web.xml {@code <context-param>}) when the CDI extension
 * builds Usher: its beans read MicroProfile Config only, so such a parameter would be dropped without
 * a word, and a dropped security setting (trusted proxies, paths to guard) is worse than a failed
 * start. The error names each key and where to put it instead.
 */
final class ContextParameterCheck {

    private ContextParameterCheck() {
    }

    /** @throws UsherConfigurationException naming every {@code usher.*} context parameter of {@code context} */
    static void refuseUsherParameters(ServletContext context) {
        List<String> problems = new ArrayList<>();
        for (String name : Collections.list(context.getInitParameterNames())) {
            if (name.startsWith("usher.")) {
                problems.add("context parameter " + name + " is not read: with usher-cdi-extension Usher reads MicroProfile "
                        + "Config only. Set it there instead (META-INF/microprofile-config.properties, -D" + name
                        + " or the environment variable " + ConfigReader.environmentName(name) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new UsherConfigurationException(problems);
        }
    }
}
