#include "token.h"

#include <array>
#include <memory>

#include <openssl/evp.h>

#include "core/encoding.h"

namespace kemu::kinesis {
namespace {

constexpr std::array<uint8_t, 32> kKey = {
    0x11, 0x33, 0xa5, 0xa8, 0x33, 0x66, 0x6b, 0x49, 0xab, 0xf2, 0x8c, 0x8b, 0xa3, 0x02, 0x93, 0x0f,
    0x0b, 0x2b, 0xeb, 0x1c, 0xbe, 0x3c, 0xb3, 0x7d, 0x10, 0x09, 0x58, 0xbb, 0x0c, 0x68, 0x77, 0x51};
constexpr std::array<uint8_t, 16> kIv = {0x7b, 0xf1, 0x39, 0xdb, 0xab, 0xbe, 0xa2, 0xd9,
                                         0x99, 0x5d, 0x6f, 0xca, 0xe1, 0xdf, 0xf7, 0xda};
constexpr char kHeader[8] = {0, 0, 0, 0, 0, 0, 0, 1};
constexpr size_t kMinPlain = 136;  // -> 144 bytes of ciphertext + 8 header = 152

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

std::optional<std::string> crypt(std::string_view in, bool encrypt) {
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return std::nullopt;
    if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, kKey.data(), kIv.data(),
                          encrypt ? 1 : 0) != 1)
        return std::nullopt;
    std::string out(in.size() + 32, '\0');
    int n1 = 0, n2 = 0;
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    if (EVP_CipherUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(in.data()),
                         static_cast<int>(in.size())) != 1)
        return std::nullopt;
    if (EVP_CipherFinal_ex(ctx.get(), o + n1, &n2) != 1) return std::nullopt;
    out.resize(static_cast<size_t>(n1 + n2));
    return out;
}

}  // namespace

std::string seal_token(std::string plaintext) {
    if (plaintext.size() < kMinPlain) plaintext.resize(kMinPlain, '\0');
    auto cipher = crypt(plaintext, true);
    std::string raw(kHeader, sizeof kHeader);
    raw += *cipher;
    return base64_encode(raw);
}

std::optional<std::string> unseal_token(std::string_view token) {
    if (token.size() > 2 && token.front() == '"' && token.back() == '"') {
        token = token.substr(1, token.size() - 2);  // AWS accepts one pair of quotes
    }
    auto raw = base64_decode(token);
    if (!raw || raw->size() < 152 || (raw->size() - 8) % 16 != 0) return std::nullopt;
    if (raw->compare(0, 8, std::string_view(kHeader, 8)) != 0) return std::nullopt;
    auto plain = crypt(std::string_view(*raw).substr(8), false);
    if (!plain) return std::nullopt;
    while (!plain->empty() && plain->back() == '\0')
        plain->pop_back();
    return plain;
}

}  // namespace kemu::kinesis
