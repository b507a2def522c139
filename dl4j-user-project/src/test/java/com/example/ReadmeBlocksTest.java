package com.example;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository README's "Use it from a DL4J project" is this project: every block there marked
 * {@code <!-- same as dl4j-user-project/FILE[, region NAME] -->} equals that file (or its region between
 * {@code readme:NAME begin} and {@code readme:NAME end}), so what the README tells a user is what this build runs.
 */
class ReadmeBlocksTest {

    private static final Pattern MARKED = Pattern.compile(
            "<!-- same as dl4j-user-project/(\\S+?)(?:, region (\\S+))? -->\\n```[a-z]*\\n(.*?)```", Pattern.DOTALL);
    private static final List<String> EXPECTED = List.of("pom.xml#sdlora", "pom.xml#backend",
            ".mvn/maven.config#", "pom.xml#surefire", "src/main/java/com/example/QuickStart.java#");

    @Test
    void everyMarkedReadmeBlockIsThisProjectsText() throws IOException {
        Path project = Path.of("").toAbsolutePath();
        String readme = Files.readString(project.resolveSibling("README.md"));
        List<String> found = new ArrayList<>();
        Matcher m = MARKED.matcher(readme);
        while (m.find()) {
            String file = m.group(1);
            String region = m.group(2) == null ? "" : m.group(2);
            String text = Files.readString(project.resolve(file));
            assertEquals(region.isEmpty() ? text : region(text, region, file), m.group(3),
                    "README block for " + file + (region.isEmpty() ? "" : " region " + region));
            found.add(file + "#" + region);
        }
        assertEquals(EXPECTED, found, "the README's marked blocks, in order");
    }

    @Test
    void theRootBuildPassesTheSameJavacppPlatform() throws IOException {
        Path project = Path.of("").toAbsolutePath();
        // In the repository's reactor build Maven reads the root's .mvn, not this project's.
        String root = Files.readString(project.resolveSibling(".mvn").resolve("maven.config"));
        String own = Files.readString(project.resolve(".mvn").resolve("maven.config")).strip();
        assertTrue(root.contains(own), "the root .mvn/maven.config holds " + own);
    }

    private static String region(String text, String name, String file) {
        String begin = "<!-- readme:" + name + " begin -->\n";
        int start = text.indexOf(begin);
        int end = text.indexOf("<!-- readme:" + name + " end -->");
        assertTrue(start >= 0 && end > start, file + " has no region " + name);
        String body = text.substring(start + begin.length(), end);
        return body.substring(0, body.lastIndexOf('\n') + 1);
    }
}
