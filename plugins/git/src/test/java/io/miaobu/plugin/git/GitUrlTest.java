package io.miaobu.plugin.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitUrlTest {

    private final GitSourceProvider provider = new GitSourceProvider();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            https://github.com/octo/site.git             | true
            https://github.com/octo/site                 | true
            HTTPS://GitLab.example.com/group/sub/site.git | true
            http://git.internal:8080/site.git            | true
            https://user:pass@git.example.com/site.git   | true
            git://git.kernel.org/pub/scm/git/git.git     | true
            ssh://git@github.com/octo/site.git           | true
            ssh://git@git.example.com:2222/site.git      | true
            git@github.com:octo/site.git                 | true
            deploy@git.example.com:repos/site.git        | true
            file:///srv/git/site.git                     | true
            file://localhost/srv/git/site.git            | true
            /srv/git/site                                | true
            relative/path                                | false
            ./site                                       | false
            site.git                                     | false
            github.com/octo/site                         | false
            ftp://example.com/site.git                   | false
            mailto:someone@example.com                   | false
            https://                                     | false
            file://                                      | false
            'https://github.com/octo/my site'            | false
            ''                                           | false
            """)
    void handlesGitUrlsAndAbsolutePaths(String url, boolean handled) {
        assertThat(provider.handles(url)).isEqualTo(handled);
    }

    @ParameterizedTest(name = "{0} is shown as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            https://user:s3cret@git.example.com/site.git | https://git.example.com/site.git
            https://ghp_token@github.com/octo/site.git   | https://github.com/octo/site.git
            ssh://git@github.com/octo/site.git           | ssh://github.com/octo/site.git
            git@github.com:octo/site.git                 | github.com:octo/site.git
            file:///srv/git/site.git                     | file:///srv/git/site.git
            /srv/git/site                                | /srv/git/site
            """)
    void showsUrlsWithoutUserInfo(String url, String shown) {
        assertThat(GitUrl.parse(url).display()).isEqualTo(shown);
    }

    @ParameterizedTest(name = "{0} connects as {1}")
    @CsvSource(delimiter = '|', textBlock = """
            https://user:s3cret@git.example.com/site.git | https://git.example.com/site.git
            ssh://git:pw@github.com/octo/site.git        | ssh://git@github.com/octo/site.git
            git@github.com:octo/site.git                 | git@github.com:octo/site.git
            """)
    void keepsPasswordsOutOfTheAddressJGitConnectsTo(String url, String connect) {
        assertThat(GitUrl.parse(url).connect()).isEqualTo(connect);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            failed: https://u:p@host/x.git: not found | failed: https://host/x.git: not found
            see http://tok@h/r and ssh://a:b@h/r      | see http://h/r and ssh://h/r
            """)
    void removesUserInfoFromText(String text, String cleaned) {
        assertThat(GitUrl.withoutUserInfo(text)).isEqualTo(cleaned);
    }
}
