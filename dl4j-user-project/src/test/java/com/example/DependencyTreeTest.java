package com.example;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Maven made of this project's dependencies, read from the verbose tree the build writes
 * ({@code target/dependency-tree.txt}): deeplearning4j-core next to sdlora4j and the README's backend block.
 * deeplearning4j-core disagrees with itself on slf4j-api and fastutil; sdlora4j and the backend may add no such
 * conflict, neither one they lose nor one that changes what DL4J gets.
 */
class DependencyTreeTest {

    private static final String DL4J = "org.deeplearning4j:deeplearning4j-core";
    private static final Pattern LINE = Pattern.compile("^([| +\\\\-]*)(\\()?([^ ()]+)(?: - omitted for (conflict with ([^\\s)]+)|.*))?\\)?$");

    /** One line of the tree: an artifact under a top-level dependency, resolved or omitted. */
    record Node(String groupArtifact, String classifier, String version, String top, boolean resolved,
                String conflictWith) {
    }

    @Test
    void sdlora4jAndTheBackendAddNoVersionConflict() throws IOException {
        List<Node> nodes = tree();
        Map<String, Node> resolved = new HashMap<>();
        nodes.stream().filter(Node::resolved).forEach(n -> resolved.put(n.groupArtifact() + ":" + n.classifier(), n));
        List<String> problems = new ArrayList<>();
        for (Node n : nodes) {
            if (n.conflictWith() == null) {
                continue;
            }
            Node winner = resolved.get(n.groupArtifact() + ":" + n.classifier());
            if (!n.top().equals(DL4J)) {
                problems.add(n.top() + " asks for " + n.groupArtifact() + " " + n.version() + " but gets "
                        + n.conflictWith() + " (from " + winner.top() + ")");
            } else if (!winner.top().equals(DL4J)) {
                problems.add(DL4J + " asks for " + n.groupArtifact() + " " + n.version() + " but gets "
                        + n.conflictWith() + " from " + winner.top());
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(nodes.stream().anyMatch(n -> n.top().equals("io.github.sdlora4j:sdlora-core")), "tree read");
    }

    @Test
    void theBackendIsOneNativeBuildAndEveryNativeIsLinuxX8664() throws IOException {
        List<Node> resolved = tree().stream().filter(Node::resolved).toList();
        List<String> nd4jNatives = resolved.stream()
                .filter(n -> n.groupArtifact().startsWith("org.nd4j:nd4j-native") && !n.classifier().isEmpty()
                        && !n.groupArtifact().endsWith("-preset"))
                .map(n -> n.groupArtifact() + ":" + n.classifier()).toList();
        assertEquals(List.of("org.nd4j:nd4j-native:linux-x86_64-onednn"), nd4jNatives,
                "one native build of libnd4j (the README's exclusions keep nd4j-native's own linux-x86_64 out)");
        assertTrue(resolved.stream().noneMatch(n -> n.groupArtifact().startsWith("org.nd4j:nd4j-cuda")));
        List<String> otherPlatforms = resolved.stream()
                .filter(n -> !n.classifier().isEmpty() && !n.classifier().startsWith("linux-x86_64"))
                .map(n -> n.groupArtifact() + ":" + n.classifier()).toList();
        assertEquals(List.of(), otherPlatforms,
                "natives for other platforms: build with -Djavacpp.platform=linux-x86_64 (.mvn/maven.config)");
        assertTrue(resolved.stream().anyMatch(n -> n.groupArtifact().equals("org.bytedeco:opencv")
                && n.classifier().equals("linux-x86_64")), "deeplearning4j-core's natives are there for linux-x86_64");
    }

    static List<Node> tree() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("target", "dependency-tree.txt"));
        List<Node> nodes = new ArrayList<>();
        String top = null;
        for (String line : lines.subList(1, lines.size())) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException("unexpected tree line: " + line);
            }
            String[] coords = m.group(3).split(":");
            String groupArtifact = coords[0] + ":" + coords[1];
            // group:artifact:type[:classifier]:version:scope
            String classifier = coords.length == 6 ? coords[3] : "";
            String version = coords[coords.length - 2];
            if (m.group(1).length() == 3) {
                top = groupArtifact;
            }
            nodes.add(new Node(groupArtifact, classifier, version, top, m.group(2) == null, m.group(5)));
        }
        return nodes;
    }
}
