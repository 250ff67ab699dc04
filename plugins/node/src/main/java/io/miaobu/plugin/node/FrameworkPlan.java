package io.miaobu.plugin.node;

import java.util.List;

/**
 * What a detected framework contributes to a build plan.
 *
 * @param id              the framework's id in {@link io.miaobu.api.build.BuildPlan#framework()}
 * @param outputDirectory where its build writes the site, relative to the project
 * @param scripts         package.json scripts that produce that output, in order of preference
 * @param cli             the framework's own build command, for when no such script exists
 */
record FrameworkPlan(String id, String outputDirectory, List<String> scripts, String cli) {
}
