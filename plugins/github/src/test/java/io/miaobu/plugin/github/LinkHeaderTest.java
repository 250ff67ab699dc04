package io.miaobu.plugin.github;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class LinkHeaderTest {

    @Test
    void findsTheNextPageAmongGitHubsRelations() {
        LinkHeader link = LinkHeader.parse("<https://api.github.com/user/repos?per_page=2&page=2>; rel=\"next\", "
                + "<https://api.github.com/user/repos?per_page=2&page=5>; rel=\"last\"");

        assertThat(link.next()).contains(URI.create("https://api.github.com/user/repos?per_page=2&page=2"));
        assertThat(link.links().get("last")).isEqualTo(URI.create("https://api.github.com/user/repos?per_page=2&page=5"));
    }

    @Test
    void hasNoNextPageOnTheLastPage() {
        LinkHeader link = LinkHeader.parse("<https://api.github.com/user/repos?page=1>; rel=\"first\", "
                + "<https://api.github.com/user/repos?page=4>; rel=\"prev\"");

        assertThat(link.next()).isEmpty();
        assertThat(link.links()).containsKeys("first", "prev");
    }

    @Test
    void readsUnquotedAndMultipleRelationsAndToleratesGarbage() {
        assertThat(LinkHeader.parse("<https://ghe.example/api/v3/x?page=3>;rel=next").next())
                .contains(URI.create("https://ghe.example/api/v3/x?page=3"));
        assertThat(LinkHeader.parse("<https://a.example/p2>; rel=\"next last\"").links()).containsKeys("next", "last");
        assertThat(LinkHeader.parse("nonsense").links()).isEmpty();
        assertThat(LinkHeader.parse(null).next()).isEmpty();
    }
}
