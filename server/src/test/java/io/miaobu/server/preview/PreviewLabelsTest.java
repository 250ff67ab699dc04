package io.miaobu.server.preview;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PreviewLabelsTest {

    @Test
    void branchNamesBecomeDnsSafeLabelsWithoutDoubleDashes() {
        assertThat(PreviewLabels.forBranch("Feature/Login--Page_2", "shop", l -> false)).isEqualTo("feature-login-page-2");
        assertThat(PreviewLabels.forBranch("café", "shop", l -> false)).isEqualTo("cafe");
        assertThat(PreviewLabels.forBranch("///", "shop", l -> false)).isEqualTo("branch");
    }

    @Test
    void aBranchLabelIsNeverAllDigitsLikeAPullRequests() {
        assertThat(PreviewLabels.forBranch("2024", "shop", l -> false)).isEqualTo("branch-2024");
        // cut to the room the slug leaves, what remains would be digits only
        String slug = "s".repeat(40);
        String label = PreviewLabels.forBranch("1234567890123456789012345abc", slug, l -> false);
        assertThat(label).doesNotMatch("[0-9]+").startsWith("b");
        assertThat(label.length() + 2 + slug.length()).isLessThanOrEqualTo(63);
    }

    @Test
    void labelsFitTheDnsLimitWithTheSlugAndAreUniqueInTheProject() {
        String slug = "a-rather-long-project-slug-of-forty-char";
        String branch = "feature/an-extremely-long-branch-name-that-goes-on-and-on";
        String first = PreviewLabels.forBranch(branch, slug, l -> false);
        assertThat((first + "--" + slug).length()).isLessThanOrEqualTo(63);
        assertThat(first).doesNotEndWith("-").doesNotContain("--");

        String second = PreviewLabels.forBranch(branch + "-2", slug, Set.of(first)::contains);
        assertThat(second).isNotEqualTo(first).endsWith("-2");
        assertThat((second + "--" + slug).length()).isLessThanOrEqualTo(63);
    }
}
