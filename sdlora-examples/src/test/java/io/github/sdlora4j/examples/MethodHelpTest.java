package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code --method} help of {@code run} and {@code compare} lists the registry's names, a method registered later
 * included. The registration happens in a fresh JVM ({@link WithAProbeMethod}): the registry is global and this JVM's
 * other tests expect exactly the built-in methods.
 */
class MethodHelpTest {

    static final String PROBE = "probe-method";

    @Test
    void runAndCompareHelpListEveryRegisteredMethod() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), WithAProbeMethod.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the help did not return");
        assertEquals(0, p.exitValue(), out);
        List<String> names = new ArrayList<>(Methods.all().keySet());
        names.add(PROBE);
        String list = String.join(", ", names);
        String[] helps = out.split("\u0000");
        assertEquals(2, helps.length, out);
        for (String help : helps) {
            // picocli wraps the description: compare with its line breaks and indentation folded to single spaces.
            assertTrue(help.replaceAll("\\s+", " ").contains(list), "expected '" + list + "' in\n" + help);
        }
    }

    /** Registers {@link #PROBE}, then prints the help of {@code run} and of {@code compare}, split by a NUL. */
    static final class WithAProbeMethod {
        public static void main(String[] args) {
            Methods.register(new Methods.Method(PROBE, "registered by the test", (c, b, s, n) -> null, null, false));
            CommandLine cli = SdloraCli.commandLine();
            System.out.print(cli.getSubcommands().get("run").getUsageMessage(CommandLine.Help.Ansi.OFF) + "\u0000"
                    + cli.getSubcommands().get("compare").getUsageMessage(CommandLine.Help.Ansi.OFF));
        }
    }
}
