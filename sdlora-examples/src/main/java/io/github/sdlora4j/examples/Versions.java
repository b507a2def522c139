package io.github.sdlora4j.examples;

import picocli.CommandLine.IVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions of sdlora4j, DL4J and Java, for {@code --version} and the run manifest. */
public final class Versions implements IVersionProvider {

    /** sdlora4j's version from the jar manifest or Maven metadata; "development" when run from classes. */
    public static String sdlora4j() {
        String v = SdloraCli.class.getPackage().getImplementationVersion();
        return v != null ? v : fromPom("io.github.sdlora4j", "sdlora-core", "development");
    }

    /** The ND4J / DL4J version on the class path. */
    public static String dl4j() {
        return fromPom("org.nd4j", "nd4j-api", "unknown");
    }

    /** The running Java version and vendor. */
    public static String java() {
        return System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")";
    }

    private static String fromPom(String group, String artifact, String fallback) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Versions.class.getResourceAsStream(resource)) {
            if (in == null) {
                return fallback;
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", fallback);
        } catch (IOException e) {
            return fallback;
        }
    }

    @Override
    public String[] getVersion() {
        return new String[]{"sdlora " + sdlora4j(), "DL4J/ND4J " + dl4j(), "Java " + java()};
    }
}
