package io.github.sdlora4j.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The git checkout the tool runs from (the folder of its jar or classes, else the working folder), for the manifest.
 * Found by running {@code git}; a missing git, a folder outside any repository or a failing command give no checkout,
 * never an error.
 *
 * @param commit the commit of {@code HEAD}
 * @param dirty  whether {@code git status --porcelain} lists anything (tracked changes or untracked files), the run's
 *               own output folder left out; null when the status could not be read
 */
record GitCheckout(String commit, Boolean dirty) {

    /**
     * @param outputFolder the run's output folder, left out of the status when it lies inside the checkout (else every
     *                     run inside one would count as a change), or null
     * @return the checkout, or null outside git
     */
    static GitCheckout find(Path outputFolder) {
        for (Path dir : candidates()) {
            String commit = git(dir, "rev-parse", "HEAD");
            if (commit == null || !commit.matches("[0-9a-f]{40}")) {
                continue;
            }
            List<String> status = new ArrayList<>(List.of("status", "--porcelain"));
            String top = git(dir, "rev-parse", "--show-toplevel");
            Path out = outputFolder == null ? null : real(outputFolder);
            if (top != null && out != null && out.startsWith(real(Path.of(top)))) {
                status.add("--");
                status.add(":(exclude)" + out);
            }
            String changes = git(dir, status.toArray(new String[0]));
            return new GitCheckout(commit, changes == null ? null : !changes.isEmpty());
        }
        return null;
    }

    private static List<Path> candidates() {
        List<Path> candidates = new ArrayList<>();
        try {
            candidates.add(Path.of(GitCheckout.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getParent());
        } catch (Exception e) {
            // No code source (unusual class loader): fall back to the working folder.
        }
        candidates.add(Path.of("").toAbsolutePath());
        return candidates;
    }

    private static Path real(Path p) {
        try {
            return Files.exists(p) ? p.toRealPath() : p.toAbsolutePath().normalize();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** The stripped standard output of {@code git -C dir args...}, or null when git is missing or fails. */
    private static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
